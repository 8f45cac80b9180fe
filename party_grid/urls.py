app_name = "party_grid"
urlpatterns: list = []
