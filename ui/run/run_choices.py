"""The choices a training run offers, shared by the training page and the teacher's task form."""

LRS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0, 3.0, 10.0]
BATCHES = [16, 32, 64, 128, 256, 512, 1024]
SPELLINGS = {"one-cycle": "onecycle", "one_cycle": "onecycle", "1cycle": "onecycle", "fixed": "constant"}
MAX_EPOCHS = 100  # a long run for a class to watch: about a minute of Fashion-MNIST on one core
OPTIMIZERS = {"adam": "Adam", "sgd": "SGD"}
SCHEDULES = {"constant": "constant", "onecycle": "one-cycle"}
PACES = {"slow": "slow motion", "full": "full speed"}
