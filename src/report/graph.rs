//! Dependency graph and Gantt rendering (being written).
