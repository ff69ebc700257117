def accuracy(logits, labels):
    predictions = np.argmax(np.asarray(logits), axis=0)
    return float(np.mean(predictions == np.asarray(labels)))
