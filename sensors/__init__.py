"""Ray-cast sensors: pixel-free perception with one documented encoding that engines reproduce."""
