"""Stage functions named by the workflows (the real plugin keeps them in stages.py)."""


def construct_dataframes(*args, **kwargs):
    """Stage `construct_dataframes`."""
    return list(args)


def create_parameterization_lists(*args, **kwargs):
    """Stage `create_parameterization_lists`."""
    return list(args)


def get_and_publish_data(*args, **kwargs):
    """Stage `get_and_publish_data`."""
    return list(args)


def get_city_model_iterable(*args, **kwargs):
    """Stage `get_city_model_iterable`."""
    return list(args)


def get_target_city_iterable(*args, **kwargs):
    """Stage `get_target_city_iterable`."""
    return list(args)


def get_unique_city_iterable(*args, **kwargs):
    """Stage `get_unique_city_iterable`."""
    return list(args)


def predict_pipeline(*args, **kwargs):
    """Stage `predict_pipeline`."""
    return list(args)


def train_pipeline(*args, **kwargs):
    """Stage `train_pipeline`."""
    return list(args)

