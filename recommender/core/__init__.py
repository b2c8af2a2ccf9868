"""The recommender's Django-free part: arrays in, arrays out (engine), the one text
preprocessing (text) and content similarity (similarity). Nothing here imports Django,
so notebooks, training, benchmarks and tests use it alone."""
