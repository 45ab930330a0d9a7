"""Vendors' pages, one module per page family, re-exported here for urls.py and contributions."""

from .attributions import (  # noqa: F401
    attribution_add,
    attribution_card,
    attribution_remove,
)
from .common import (  # noqa: F401
    PAGE_SIZE,
    contract_reader,
    vendor_reader,
)
from .contracts import (  # noqa: F401
    CONTRACT_COLUMNS,
    CONTRACT_LABELS,
    CONTRACT_SORTS,
    CONTRACT_STEPS,
    _render_contract,
    contract_create,
    contract_decide,
    contract_detail,
    contract_edit,
    contract_export,
    contract_list,
    contract_successor,
    contract_transition,
    document_delete,
    document_download,
    document_upload,
)
from .vendors import (  # noqa: F401
    VENDOR_COLUMNS,
    VENDOR_LABELS,
    VENDOR_SORTS,
    VENDOR_STEPS,
    _render_vendor,
    contact_delete,
    contact_save,
    exclusion_add,
    exclusion_delete,
    vendor_create,
    vendor_detail,
    vendor_edit,
    vendor_list,
    vendor_risk,
    vendor_status,
)
