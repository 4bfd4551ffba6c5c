"""Domain: the criteria catalogue, the dataset format and the rules engine. Pure functions, no I/O but reading the catalogue."""
