"""Review sentiment: the model, its training and evaluation, scoring into the warehouse, aspects."""
