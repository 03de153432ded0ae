"""Optimisation flags of the viewer's code (src/trace, src/analysis, tools).

The analysis asks small functions of other files about every event (the
event table, the model's pipes and fd tables, each detector's observe): in
an optimised build (-c opt, which bench/compare measures) the viewer is
compiled for link-time optimisation, so that those calls are inlined
across files.  callgrind, `pipetrace summary` on gentrace --events=1000000:
1346 -> 1119 instructions per event.  Other builds (the tests' fastbuild,
the fuzz targets' clang) are left alone.
"""

VIEWER_COPTS = select({
    "//:opt": ["-flto"],
    "//conditions:default": [],
})

VIEWER_LINKOPTS = select({
    "//:opt": ["-flto"],
    "//conditions:default": [],
})
