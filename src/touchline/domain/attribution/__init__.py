"""Attribution rules: the models, their windows and weights, and the data-driven fits."""
