"""Training the span reader: data and split, labelled windows, batches, the loop, export, thresholds."""
