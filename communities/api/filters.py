import django_filters

from ..models import Community, Estate, PropertyCompany


class CommunityFilter(django_filters.FilterSet):
    class Meta:
        model = Community
        fields = ["town"]


class EstateFilter(django_filters.FilterSet):
    town = django_filters.NumberFilter(field_name="community__town", label="Town id")

    class Meta:
        model = Estate
        fields = ["town", "community", "status", "is_old_estate"]


class PropertyCompanyFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name contains")
    credit_code = django_filters.CharFilter(label="Unified social credit code (exact)")

    class Meta:
        model = PropertyCompany
        fields = ["name", "credit_code"]
