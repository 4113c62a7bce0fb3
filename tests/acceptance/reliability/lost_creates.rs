//! Creates whose answer is lost or late: the provider finds what DocuSign made instead of
//! creating it twice, and stops with a clear error where it cannot tell.

use super::*;

#[test]
fn create_dropped_after_commit_is_adopted_not_duplicated() {
    let emu = Emulator::start();
    let wd = workdir(
        "rel_drop_after_commit",
        &emu,
        "",
        &one_configuration("c", "ambiguous", "https://hooks.example.com/a"),
    );
    emu.add_fault(json!({"method": "POST", "path": CONNECT, "times": 1, "drop": "after_commit"}));
    let out = apply(&wd, 10);
    wd.expect_success(&out).unwrap();
    let ids = assert_in_sync(&wd, &emu, "after the dropped create");
    assert_eq!(ids.len(), 1, "exactly one configuration: {ids:?}");
    // The POST really was dropped after DocuSign committed, and was not sent again.
    let posts: Vec<_> = emu
        .api_calls()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(posts.len(), 1, "{posts:?}");
    assert_eq!(posts[0].fault.as_deref(), Some("drop:after_commit"));
    // The adopted configuration is fully tracked: the next plan is empty.
    let plan = wd.plan("p.tfplan", true).unwrap();
    assert!(plan.is_empty(), "{}", plan.summary());
}

#[test]
fn create_dropped_before_commit_is_sent_again_once() {
    let emu = Emulator::start();
    let wd = workdir(
        "rel_drop_before",
        &emu,
        "",
        &one_configuration("c", "ambiguous", "https://hooks.example.com/b"),
    );
    emu.add_fault(json!({"method": "POST", "path": CONNECT, "times": 1, "drop": "before"}));
    let out = apply(&wd, 10);
    wd.expect_success(&out).unwrap();
    let ids = assert_in_sync(&wd, &emu, "after the dropped create");
    assert_eq!(ids.len(), 1, "nothing lost, nothing duplicated: {ids:?}");
    let posts = emu
        .api_calls()
        .into_iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(posts, 2, "the POST is sent again once it is known absent");
}

#[test]
fn create_timing_out_is_not_duplicated() {
    // The POST times out on our side (request_timeout = 1 s) while DocuSign is still working
    // on it (2 s delay): the provider must look before it sends it again.
    let emu = Emulator::start();
    let wd = workdir(
        "rel_create_timeout",
        &emu,
        "  request_timeout = 1\n",
        &one_configuration("c", "slow", "https://hooks.example.com/slow"),
    );
    emu.add_fault(json!({"method": "POST", "path": CONNECT, "times": 1, "delay_ms": 2000}));
    let out = apply(&wd, 10);
    // Give a late commit time to land before judging.
    std::thread::sleep(Duration::from_millis(2500));
    let state = state_ids(&wd);
    let remote = emu.configuration_ids(emu.account_id());
    assert!(
        remote.len() <= 1,
        "a timed-out create was sent again and DocuSign now holds duplicates {remote:?} \
         (state {state:?}); output:\n{}",
        out.combined()
    );
    if out.success() {
        assert_in_sync(&wd, &emu, "after the timed-out create");
    } else {
        assert_eq!(out.crash(), None, "{}", out.combined());
        assert!(
            state.is_subset(&remote),
            "phantom in state: {state:?} vs {remote:?}"
        );
    }
}

#[test]
fn an_ambiguous_create_with_several_identical_configurations_stops_with_a_clear_error() {
    let emu = Emulator::start();
    let first = one_configuration("a", "twin", "https://hooks.example.com/twin");
    let wd = workdir("rel_duplicate_match", &emu, "", &first);
    wd.expect_success(&apply(&wd, 10)).unwrap();
    let a_id = state_ids(&wd).into_iter().next().unwrap();
    // Someone copies it by hand: two identical configurations now exist.
    let mut copy = emu.configurations(emu.account_id()).pop().unwrap();
    copy.as_object_mut().unwrap().remove("connectId");
    let (status, body) = emu.api("POST", "/connect", Some(copy)).unwrap();
    assert_eq!(status, 200, "{body}");
    // A second resource with the same body, whose create is dropped after commit.
    wd.write_config(&format!(
        "{REQUIRED_DOCUSIGN}\n{}\n{first}\n{}",
        emu.provider_block(),
        one_configuration("b", "twin", "https://hooks.example.com/twin")
    ));
    emu.add_fault(json!({"method": "POST", "path": CONNECT, "times": 1, "drop": "after_commit"}));
    let out = apply(&wd, 10);
    wd.expect_failure_with(
        &out,
        &[
            "existing configurations match the request exactly",
            "refusing to guess",
            "Delete the duplicates or import the right one",
        ],
    )
    .unwrap();
    // No guess was made: b is not in state, a still is, and no further POST was sent.
    assert_eq!(state_ids(&wd), BTreeSet::from([a_id]));
    assert_eq!(emu.configuration_ids(emu.account_id()).len(), 3);
    let posts = emu
        .api_calls()
        .into_iter()
        .filter(|r| r.method == "POST")
        .count();
    assert_eq!(
        posts, 3,
        "the apply, the copy, the dropped create; no blind retry"
    );
}
