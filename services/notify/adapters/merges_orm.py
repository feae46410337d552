"""Which persons' files intake merged into which: their consents follow the survivor."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from wushe.notify.adapters.orm import Base


class PersonMergeRecord(Base):
    __tablename__ = "person_merges"

    # A file is merged into one survivor at a time; the undo removes the row.
    merged_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    survivor_id: Mapped[str] = mapped_column(String(36), index=True)
    merge_id: Mapped[str] = mapped_column(String(36))
