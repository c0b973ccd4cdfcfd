//! Shell completions and the man page cover every subcommand.

use std::process::Command;

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dcplan")).args(args).output().expect("runs");
    assert!(out.status.success());
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn completions_and_man_page_name_every_subcommand() {
    let bash = run(&["completions", "bash"]);
    let zsh = run(&["completions", "zsh"]);
    let man = run(&["man"]);
    assert!(man.starts_with(".ie"), "roff");
    for sub in ["check", "plan", "runbook", "graph", "impact", "list", "explain", "bgp", "completions"] {
        assert!(bash.contains(sub), "bash completion lacks {sub}");
        assert!(zsh.contains(sub), "zsh completion lacks {sub}");
        assert!(man.contains(sub), "man page lacks {sub}");
    }
}
