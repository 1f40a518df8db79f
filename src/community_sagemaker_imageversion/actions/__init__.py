"""Each action as an explicit sequence of phases (:mod:`..engine` runs them): ``create``,
``read``, ``update``, ``delete``, ``list``; the phases CREATE and UPDATE share to bring a
version's aliases to what its model asks (``aliases``); finding a model's version and doubting
its absence (``locate``); waiting for a busy image (``queue``)."""
