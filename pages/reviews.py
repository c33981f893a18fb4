"""Reviews page (issue 5): review sentiment analytics and 'train on your own reviews'."""
