"""Bulletins (通报, regions.md): a dated, numbered region report over a period with each town's
key figures, ranked, praise or criticism marks and a comment, frozen once issued."""
