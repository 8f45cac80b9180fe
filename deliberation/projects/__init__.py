"""Needs lists (需求清单) and the project library (项目储备库): regions.md "Needs and projects"."""
