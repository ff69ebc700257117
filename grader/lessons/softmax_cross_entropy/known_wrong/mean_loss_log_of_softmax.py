def sequence_mean_loss(logits, targets):
    probs = stable_softmax(logits, axis=-1)
    one_hot = np.eye(logits.shape[1])[targets]
    return float(-np.mean(np.sum(one_hot * np.log(probs), axis=1)))
