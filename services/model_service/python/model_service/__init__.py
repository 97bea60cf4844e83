"""ModelArts' `model_service` package for customize_service.py, as ModelArts Local runs it.

    from model_service.tfserving_model_service import TfServingBaseService   # TensorFlow models
    from model_service.pytorch_model_service import PTServingBaseService     # PyTorch models
    from model_service.model_service import SingleNodeService               # any model the hook runs itself
    from model_service import log                                           # also: import log

Standard library only; numpy arrays are accepted wherever values go to the model.
"""
