"""Owners' assemblies: assembly votes by area and headcount (Civil Code art. 278), paper and
portal ballots, committee elections (owners.md)."""
