"""Pages of property_rating, one module per audience: the manager portal and residents'
satisfaction (portal), reviewers, experts and vetoes (review), staff overview and charts (staff),
and the public ratings pages (public)."""
