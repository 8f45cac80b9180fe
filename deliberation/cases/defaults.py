"""The spec's default responsibility list (cases.md "Categories and the responsibility list")."""

# code, name, first level, town-level department
DEFAULT_CATEGORIES = [
    ("C01", "物业服务", "estate", "住建办"),
    ("C02", "环境卫生", "estate", "环卫所"),
    ("C03", "设施设备维修", "estate", "住建办"),
    ("C04", "邻里纠纷", "community", "司法所"),
    ("C05", "违章搭建", "town", "综合行政执法办"),
    ("C06", "消防安全", "estate", "消防站"),
    ("C07", "噪音与治安", "community", "派出所"),
    ("C08", "停车与交通", "estate", "派出所"),
    ("C09", "养犬管理", "community", "综合行政执法办"),
    ("C10", "群租与出租屋", "community", "出租屋管理中心"),
    ("C11", "维修资金与共有部分", "community", "住建办"),
    ("C99", "其他", "community", "城治办"),
]

# Starting text of the communities' and property companies' duty lists; staff edit them per town.
DEFAULT_DUTIES = {
    "community": [
        "受理居民诉求，协调小区内无法解决的问题",
        "调解邻里纠纷，组织圆桌议事",
        "指导业主大会、业主委员会依法履职",
        "对无物业小区实施兜底管理",
    ],
    "company": [
        "按合同提供物业服务，公示收费与服务标准",
        "维护共有部位和共用设施设备",
        "做好小区环境卫生、绿化和秩序维护",
        "发现违法行为及时劝阻并报告有关部门",
    ],
}
