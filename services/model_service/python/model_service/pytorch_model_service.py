"""PTServingBaseService: the base of PyTorch inference code on ModelArts.

    from model_service.pytorch_model_service import PTServingBaseService

The class loads nothing itself: `self.model_path` is the package's .pth (or .pt) file, and the
hook's __init__ builds its network and loads the weights (torch.load) into `self.model`. The
default _inference calls `self.model(value)` for each preprocessed input. torch comes from the
Python that runs the hook (Debian: python3-torch).
"""
from model_service.model_service import SingleNodeService


class PTServingBaseService(SingleNodeService):

    def __init__(self, model_name, model_path):
        super(PTServingBaseService, self).__init__(model_name, model_path)
        self.model = None

    def _inference(self, data):
        return {k: self.model(v) for k, v in data.items()}

    def ping(self):
        return None

    def signature(self):
        return None
