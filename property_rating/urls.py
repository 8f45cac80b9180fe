app_name = "property_rating"
urlpatterns: list = []
