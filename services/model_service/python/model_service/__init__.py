"""ModelArts' `model_service` package for customize_service.py, as ModelArts Local runs it.

    from model_service.tfserving_model_service import TfServingBaseService

Standard library only; numpy arrays are accepted wherever values go to the model.
"""
