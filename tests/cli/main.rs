//! One integration binary for the whole CLI (faster to build and link than one per file).
//! Every `test_*.rs` file in this directory must be listed here; `all_test_files_are_listed`
//! fails when one is forgotten.

mod common;

mod test_adr;
mod test_adr_collab;
mod test_adr_edit;
mod test_adr_transfer;
mod test_agents;
mod test_architecture;
mod test_assigned_work;
mod test_authority;
mod test_bad_input;
mod test_check_newcomer;
mod test_ci_faces;
mod test_concurrency;
mod test_conflict;
mod test_dashboard;
mod test_day;
mod test_demo;
mod test_dispatch;
mod test_faces;
mod test_faults;
mod test_fuzz_regressions;
mod test_gate;
mod test_graph;
mod test_history;
mod test_hooks_safety;
mod test_hygiene;
mod test_import;
mod test_import_pack;
mod test_jams;
mod test_json_contract;
mod test_lifecycle;
mod test_mcp;
mod test_memory;
mod test_metrics;
mod test_milestone;
mod test_newcomer;
mod test_ownership;
mod test_ownership_bypass;
mod test_read_counts;
mod test_record_errors;
mod test_reimport;
mod test_review2_claims;
mod test_review2_policy;
mod test_review_authority;
mod test_review_guards;
mod test_review_reads;
mod test_review_strays;
mod test_risk;
mod test_schedule;
mod test_staged_index;
mod test_store;
mod test_sync;
mod test_sync_more;
mod test_sync_property;
mod test_tasks;
mod test_wait;

#[test]
fn all_test_files_are_listed() {
    let listed = include_str!("main.rs");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli");
    for entry in std::fs::read_dir(dir).expect("tests/cli is readable") {
        let name = entry.expect("directory entry").file_name();
        let name = name.to_string_lossy();
        if let Some(module) = name
            .strip_prefix("test_")
            .and_then(|n| n.strip_suffix(".rs"))
        {
            assert!(
                listed.contains(&format!("mod test_{module};")),
                "tests/cli/{name} is not listed in tests/cli/main.rs"
            );
        }
    }
}
