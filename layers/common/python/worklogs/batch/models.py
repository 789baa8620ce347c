"""API shapes of the batch create (pydantic v2)."""

from pydantic import Field

from worklogs.models import ApiModel, ErrorInfo, WorklogCreate, WorklogResult

MAX_BATCH_ITEMS = 100


class BatchCreate(ApiModel):
    items: list[WorklogCreate] = Field(min_length=1, max_length=MAX_BATCH_ITEMS, description="Up to 100 creates.")


class BatchItemResult(ApiModel):
    index: int = Field(description="Position of the item in `items`.")
    status: int = Field(description="201 when written; otherwise the status a single create would have answered.")
    worklog: WorklogResult | None = None
    error: ErrorInfo | None = None


class BatchResult(ApiModel):
    created: int
    refused: int
    results: list[BatchItemResult]
