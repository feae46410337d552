"""Which profile each group calls for: a disabled person's file needs the disability
category and grade, a homeless person's file where and when they were found."""

from wushe.intake.domain.age_rules import CHILD_GROUPS, ELDERLY_GROUPS
from wushe.intake.domain.profiles import PersonProfiles
from wushe.shared.events.groups import TargetGroup

REQUIRED_PROFILE = {
    TargetGroup.DISABLED: "disability",
    TargetGroup.CHILD_DISABLED: "disability",
    TargetGroup.SEVERE_MENTAL_DISORDER: "mental_health",
    TargetGroup.HOMELESS: "homeless",
}

_LABELS = {
    "elderly": "老年人信息", "child": "儿童信息", "disability": "残疾信息",
    "mental_health": "精神障碍信息", "homeless": "流浪救助信息", "assistance": "救助供养信息",
}  # fmt: skip


def groups_allowing(profile: str) -> set[TargetGroup]:
    """The groups for which a profile of this kind makes sense."""
    if profile == "elderly":
        return set(ELDERLY_GROUPS)
    if profile == "child":
        return set(CHILD_GROUPS)
    if profile == "assistance":
        return {TargetGroup.SUBSISTENCE_ALLOWANCE, TargetGroup.EXTREME_POVERTY,
                TargetGroup.ELDERLY_ECONOMIC_DIFFICULTY}  # fmt: skip
    return {group for group, needed in REQUIRED_PROFILE.items() if needed == profile}


def profile_violations(groups: set[TargetGroup], profiles: PersonProfiles) -> list[str]:
    """Reasons the profiles do not fit the groups; empty when they do."""
    problems = []
    for group in sorted(groups):
        needed = REQUIRED_PROFILE.get(group)
        if needed and getattr(profiles, needed) is None:
            problems.append(
                f"profiles.{needed} is required for group {group.value} "
                f"({group.value}类别须填写{_LABELS[needed]})"
            )
    for name in PersonProfiles.model_fields:
        if getattr(profiles, name) is not None and not groups & groups_allowing(name):
            problems.append(
                f"profiles.{name} given but the person is in none of its groups "
                f"({', '.join(sorted(g.value for g in groups_allowing(name)))}) "
                f"(填写了{_LABELS[name]}，但未选择相应类别)"
            )
    return problems
