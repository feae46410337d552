"""Children at risk: the groups whose registration, or a child's joining them, lets the
agencies that protect children (the child-protection station, the police) learn the
child's name and address, sealed in the event for notify, which opens them only for a
partner whose data-sharing agreement names them and whose consent check passes, or
whose agreement rests on the duty to report (强制报告, docs/notify-sharing.md).

Notify alerts child-protection stations about every child group; the name and address
go only with these, where someone may have to find the child (data minimisation):

- ``child_orphan`` (孤儿) and ``child_unattended`` (事实无人抚养儿童): no parent looks after
  the child, so the station arranges guardianship and must know where the child lives.
- ``child_parent_imprisoned`` (服刑人员未成年子女): a parent in prison is one of the ways a
  child becomes de facto unattended; the child may have been left without a carer.
- ``child_left_behind`` (农村留守儿童): both parents work away; the rules on left-behind
  children make the station and the police find and visit the child who lives alone or
  with a carer who cannot look after them.
- ``child_in_difficulty`` (困境儿童): poverty, illness or missing guardianship put the child
  at risk, which is why the station follows them.

Not at risk by the group alone: ``child_disabled`` (残疾儿童), whose disability says
nothing about the child's care (a disabled child without care is in difficulty too), and
``migrant_child`` (进城务工人员随迁子女), who lives with the parents.
"""

from collections.abc import Iterable

from wushe.shared.events.groups import CHILDREN_AT_RISK


def any_at_risk(groups: Iterable[str]) -> bool:
    return any(group in CHILDREN_AT_RISK for group in groups)
