"""Documents written for the project from places outside the dev set and the seeds: tests/holdout (12)
tests/fresh (8), tests/fresh2 (6), tests/fresh3 (5), tests/fresh4 (4), tests/fresh5 (3), tests/fresh6 to fresh11 (8 each), fresh12 and fresh13 (6 each), fresh14 to fresh84 (8 each), written blind to the extractor's code. Strict recall and precision floors a little below today's scores, so a change
that costs generalization is seen. Fix general rules, never their sentences."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import gold_and_found

TESTS = Path(__file__).resolve().parent.parent


# 2026-12: holdout 1.000 / 0.995 (was 0.844 / 0.935 when written), fresh 1.000 / 1.000 (was 0.883 / 0.983);
# fresh2 1.000 / 1.000 (was 0.710 / 0.750 when written, 0.828 / 0.875 after two gold calls);
# fresh3 1.000 / 1.000 (was 0.865 / 0.853 when written); fresh4 1.000 / 1.000 (was 0.830 / 0.830 when written);
# fresh5 1.000 / 1.000 (also 1.000 / 1.000 when written, no fix); fresh6 1.000 / 1.000 (was 0.922 / 0.891);
# fresh7 1.000 / 1.000 (was 0.737 / 0.916); fresh8 1.000 / 1.000 (was 0.871 / 0.981);
# fresh9 0.989 / 1.000 (was 0.772 / 0.740; the miss: a past year's figure given as a comparison's base);
# fresh11 1.000 / 1.000 (was 0.885 / 0.945); fresh12 1.000 / 1.000 (was 0.897 / 0.968);
# fresh13 1.000 / 1.000 (was 0.806 / 0.853);
# fresh10 1.000 / 1.000 (was 0.701 / 0.897);
# fresh14 1.000 / 1.000 (was 0.974 / 0.983);
# fresh15 0.980 / 1.000 (was 0.832 / 0.919; misses: a ranking of towns without its wording);
# fresh16 0.969 / 0.969 (was 0.754 / 0.748; misses: multi-year spans, which FACTS.md now says are no facts);
# fresh17 0.988 / 1.000 (was 0.738 / 0.961); fresh18 1.000 / 1.000 (was 0.978 / 0.989);
# fresh19 0.972 / 0.993 (was 0.903 / 0.936; misses: a space-aligned project list's 合计 row);
# fresh20 0.948 / 0.980 (was 0.755 / 0.959; misses: 均 over towns, a zone's full name, 去年同期 after 今年);
# fresh21 1.000 / 0.917 (was 0.909 / 0.845; extras: one project's sentence opening with 项目, 重大项目 kept apart);
# fresh22 1.000 / 0.993 (was 0.754 / 0.782); fresh23 1.000 / 1.000 (was 1.000 / 0.945);
# fresh24 0.971 / 0.971 (was 0.843 / 0.814); fresh25 0.966 / 1.000 (was 0.765 / 0.797);
# fresh26 0.925 / 0.964 (was 0.850 / 0.955); fresh27 0.911 / 0.939 (was 0.702 / 0.711);
# fresh28 0.934 / 0.993 (was 0.907 / 0.972); fresh29 0.993 / 0.966 (was 0.972 / 0.946);
# fresh30 0.845 / 0.960 (was 0.732 / 0.912; misses: a table aligned with full-width spaces);
# fresh31 0.974 / 1.000 (was 0.868 / 0.892); fresh32 0.971 / 0.977 (was 0.971 / 0.971);
# fresh33 0.977 / 0.992 (was 0.977 / 0.977); fresh34 0.992 / 0.992 (was 0.884 / 0.884);
# fresh35 1.000 / 1.000 (was 0.862 / 0.899); fresh36 1.000 / 1.000 (was 0.976 / 0.976);
# fresh37 0.984 / 0.992 (was 0.756 / 0.941; misses: places with bracketed rates before 位居中游);
# fresh38 0.992 / 0.975 (was 0.975 / 0.959); fresh39 1.000 / 0.994 (was 0.891 / 0.939);
# fresh40 0.993 / 0.993 (was 0.733 / 0.948);
# fresh41 0.981 / 0.968 (was 0.768 / 0.778); fresh42 0.857 / 0.886 (was 0.831 / 0.865; misses: development zones'
# official names and their own lists; zones in table rows are regions now, named as written but for 经开区, and
# this gold writes their official names: 荆州开发区 as 荆州经济技术开发区 in fresh45 too, while fresh60 keeps them as written); fresh43 0.925 / 0.976 (was 0.822 / 0.888); fresh44 0.887 / 0.964 (was
# 0.793 / 0.888; misses: two-column PDF text whose columns share lines); fresh45 0.860 / 0.966 (was 0.841 / 0.958;
# misses: 荆州开发区 as a zone, comparison bases, single quarters run with 分别); fresh46 0.985 / 0.985 (was 0.904 / 0.924);
# fresh47 0.948 / 0.955 (was 0.948 / 0.914); fresh48 0.963 / 0.972 (was 0.780 / 0.966);
# fresh49 0.967 / 0.975 (was 0.767 / 0.920); fresh50 0.948 / 0.975 (was 0.699 / 0.941);
# fresh51 0.892 / 0.943 (was 0.676 / 0.647); fresh52 0.918 / 0.968 (was 0.867 / 0.914);
# fresh53 0.903 / 0.935 (was 0.882 / 0.920; misses: 分别 over lists named in the sentence before, 今年以来 after
# a 一季度 lead); fresh54 0.968 / 0.974 (was 0.929 / 0.954); fresh55 0.992 / 1.000 (was 0.935 / 0.967);
# fresh56 0.970 / 0.995 (was 0.935 / 0.995);
# fresh57 1.000 / 0.980 (was 1.000 / 0.980); fresh58 0.984 / 1.000 (was 0.895 / 0.933);
# fresh59 0.904 / 0.983 (was 0.792 / 0.980; misses: data cards with the number above its label);
# fresh60 0.970 / 0.988 (was 0.915 / 0.987);
# fresh61 0.978 / 0.983 (was 0.933 / 0.971); fresh62 0.919 / 0.904 (was 0.919 / 0.904);
# fresh63 0.977 / 0.969 (was 0.938 / 0.946); fresh64 0.969 / 0.957 (was 0.893 / 0.953);
# fresh65 0.983 / 0.992 (was 0.900 / 0.991); fresh66 0.966 / 0.995 (was 0.826 / 0.977);
# fresh67 1.000 / 1.000 (was 0.961 / 1.000); fresh68 1.000 / 0.994 (was 0.810 / 0.805);
# fresh69 1.000 / 0.970 (was 0.923 / 0.938); fresh70 0.974 / 0.995 (was 0.775 / 0.819);
# fresh71 0.943 / 0.966 (was 0.844 / 0.837); fresh72 0.950 / 0.956 (was 0.711 / 0.863);
# fresh73 0.980 / 0.968 (was 0.980 / 0.968); fresh74 0.937 / 0.915 (was 0.874 / 0.874);
# fresh75 0.911 / 0.876 (was 0.855 / 0.721); fresh76 1.000 / 0.993 (was 0.956 / 0.992);
# fresh77 0.924 / 0.980 (was 0.541 / 0.966); fresh78 0.951 / 0.969 (was 0.939 / 0.969);
# fresh79 0.986 / 1.000 (was 0.971 / 0.993); fresh80 0.991 / 0.983 (was 0.974 / 0.983);
# fresh81 0.985 / 0.993 (was 0.985 / 0.993); fresh82 1.000 / 0.993 (was 0.979 / 0.972);
# fresh83 0.982 / 1.000 (was 0.945 / 0.963); fresh84 1.000 / 1.000 (was 0.979 / 0.966);
# this session's rules also raised fresh20 (0.981 / 0.981), fresh27 (0.952 / 0.952), fresh47 (0.970 / 0.970),
# fresh49 (1.000 / 0.976), fresh50 (0.980 / 0.976, years as rows), fresh52 (0.959 / 0.969), fresh58 (1.000 / 1.000),
# fresh60 (0.988 / 1.000); fresh77's misses: a table with one cell per line (OCR), a running header that is
# the title inside a sentence; fresh62's: a district table under 各区重点项目 (its gold: the city's list).
# the floors leave room for one or two debatable calls.
@pytest.mark.parametrize(("name", "min_recall", "min_precision"), [("holdout", 0.97, 0.97), ("fresh", 0.98, 0.98),
                                                                   ("fresh2", 0.98, 0.98), ("fresh3", 0.98, 0.98),
                                                                   ("fresh4", 0.98, 0.98), ("fresh5", 0.98, 0.98),
                                                                   ("fresh6", 0.98, 0.98), ("fresh7", 0.98, 0.98),
                                                                   ("fresh8", 0.98, 0.98), ("fresh9", 0.97, 0.98),
                                                                   ("fresh10", 0.98, 0.98), ("fresh11", 0.98, 0.98),
                                                                   ("fresh12", 0.98, 0.98), ("fresh13", 0.98, 0.98),
                                                                   ("fresh14", 0.98, 0.98), ("fresh15", 0.95, 0.97),
                                                                   ("fresh16", 0.95, 0.95), ("fresh17", 0.98, 0.98),
                                                                   ("fresh18", 0.98, 0.98), ("fresh19", 0.96, 0.98),
                                                                   ("fresh20", 0.93, 0.96), ("fresh21", 0.98, 0.90),
                                                                   ("fresh22", 0.98, 0.98), ("fresh23", 0.98, 0.98),
                                                                   ("fresh24", 0.95, 0.95), ("fresh25", 0.95, 0.98),
                                                                   ("fresh26", 0.90, 0.94), ("fresh27", 0.89, 0.92),
                                                                   ("fresh28", 0.92, 0.98), ("fresh29", 0.98, 0.95),
                                                                   ("fresh30", 0.82, 0.94), ("fresh31", 0.95, 0.98),
                                                                   ("fresh32", 0.95, 0.95), ("fresh33", 0.95, 0.97),
                                                                   ("fresh34", 0.97, 0.97), ("fresh35", 0.98, 0.98),
                                                                   ("fresh36", 0.98, 0.98), ("fresh37", 0.96, 0.97),
                                                                   ("fresh38", 0.97, 0.95), ("fresh39", 0.98, 0.97),
                                                                   ("fresh40", 0.97, 0.97), ("fresh41", 0.96, 0.95),
                                                                   ("fresh42", 0.84, 0.87), ("fresh43", 0.90, 0.95),
                                                                   ("fresh44", 0.86, 0.94), ("fresh45", 0.88, 0.93),
                                                                   ("fresh46", 0.97, 0.97), ("fresh47", 0.93, 0.94),
                                                                   ("fresh48", 0.95, 0.95), ("fresh49", 0.95, 0.96),
                                                                   ("fresh50", 0.93, 0.96), ("fresh51", 0.87, 0.92),
                                                                   ("fresh52", 0.93, 0.95), ("fresh53", 0.88, 0.91),
                                                                   ("fresh54", 0.95, 0.95), ("fresh55", 0.97, 0.98),
                                                                   ("fresh56", 0.95, 0.98), ("fresh57", 0.98, 0.96),
                                                                   ("fresh58", 0.96, 0.98), ("fresh59", 0.88, 0.96),
                                                                   ("fresh60", 0.95, 0.97),
                                                                   ("fresh61", 0.96, 0.96), ("fresh62", 0.90, 0.88),
                                                                   ("fresh63", 0.96, 0.95), ("fresh64", 0.95, 0.94),
                                                                   ("fresh65", 0.96, 0.97), ("fresh66", 0.95, 0.98),
                                                                   ("fresh67", 0.98, 0.98), ("fresh68", 0.98, 0.97),
                                                                   ("fresh69", 0.98, 0.95), ("fresh70", 0.95, 0.98),
                                                                   ("fresh71", 0.92, 0.95), ("fresh72", 0.93, 0.94),
                                                                   ("fresh73", 0.96, 0.95), ("fresh74", 0.92, 0.90),
                                                                   ("fresh75", 0.89, 0.86), ("fresh76", 0.98, 0.97),
                                                                   ("fresh77", 0.90, 0.96), ("fresh78", 0.93, 0.95),
                                                                   ("fresh79", 0.97, 0.98), ("fresh80", 0.97, 0.96),
                                                                   ("fresh81", 0.97, 0.97), ("fresh82", 0.98, 0.97),
                                                                   ("fresh83", 0.96, 0.98), ("fresh84", 0.98, 0.98)])
def test_strict_recall_and_precision_floors(name: str, min_recall: float, min_precision: float) -> None:
    gold, found = gold_and_found(TESTS / name)
    matched = sum((gold & found).values())
    recall, precision = matched / sum(gold.values()), matched / sum(found.values())
    assert recall >= min_recall, f"{name}: strict recall {recall:.3f}"
    assert precision >= min_precision, f"{name}: strict precision {precision:.3f}"
