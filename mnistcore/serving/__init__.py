"""The machinery that serves a class: worker processes, runs and their lines, uploads, and the live view.

The lesson itself (data, tensors, losses, models, the training engine) is in `mnistcore`; nothing there
imports this package.
"""
