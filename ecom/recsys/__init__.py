"""Next-item recommendations from purchase sequences.

model     the SASRec-style causal transformer (config, weights, item vocabulary in one directory)
data      purchase sequences from the warehouse or a sequences file; leave-one-out split
train     training with a progress callback and early stopping on validation NDCG@10
evaluate  full-ranking HR@10 / NDCG@10 (ties by expectation) and catalogue coverage
baselines recent popularity and item-kNN on co-purchases
compare   model and baselines trained and evaluated on one split
explain   the evidence behind each recommendation, as checkable figures
recommend top-N with reasons per customer, cold-start fallback, the batch for every customer
campaigns segment preview, campaign list, a product's sales trend
store     app.models (registry) and app.recs (stored top-N) in the warehouse
retrain   train on the warehouse, save, register, write app.recs
cli       `python -m ecom recommend train|eval`
"""
