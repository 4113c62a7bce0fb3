//! Parts (b) and (c): wall time of a refreshing `terraform plan` over existing state with N
//! `docusign_connect_configuration`s vs N `null_resource`s, and the API calls of each plan and
//! apply from the emulator's request log.
//!
//! The emulator for this part runs with raised limits so that creating the N configurations
//! (a prior `terraform apply`) is not paced; a plan costs one call whatever the limits.

use super::Context;
use super::emulator::{Counts, Emulator};
use super::terraform::{Kind, StateShape};

/// Limits far above what one size needs: setup is not the subject of this part.
const RAISED_LIMITS: &[&str] = &["--burst-limit", "1000000", "--hourly-limit", "100000000"];

/// The figures of one size.
pub struct PlanFigures {
    pub n: usize,
    /// Wall time of each refreshing no-op plan, ms.
    pub ours_ms: Vec<f64>,
    pub null_ms: Vec<f64>,
    /// Wall time of each plan of the control: N `null_resource`s carrying as many state
    /// entries per instance as a configuration ([`Kind::NullSized`]).
    pub sized_null_ms: Vec<f64>,
    /// The state per instance of ours, null's and the control's.
    pub shapes: [StateShape; 3],
    /// The calls of each of our plans.
    pub plan_calls: Vec<Counts>,
    /// The calls of the apply that created the N configurations.
    pub create_calls: Counts,
    /// The calls of a no-op `terraform apply` (refresh, nothing to change).
    pub noop_apply_calls: Counts,
    /// Wall time of the creating applies, s.
    pub ours_create_s: f64,
    pub null_create_s: f64,
}

/// Creates N of each resource, then times `reps` refreshing plans of each, rotating which
/// directory goes first.
pub fn measure(ctx: &Context, n: usize, reps: usize) -> Result<PlanFigures, String> {
    let emu = Emulator::start(&ctx.emulator, RAISED_LIMITS)?;
    let ours = ctx.workdir(&format!("plan-docusign-{n}"), Kind::Docusign, n, Some(&emu))?;
    let null = ctx.workdir(&format!("plan-null-{n}"), Kind::Null, n, None)?;

    eprintln!("xtask bench: N={n}: creating {n} configurations and {n} null_resources");
    emu.clear_log()?;
    let ours_create = ours.apply(10)?;
    let create_calls = Counts::of(&emu.calls()?);
    let null_create = null.apply(10)?;

    // The control matches our state's entries: `id` plus one trigger per remaining entry.
    let ours_shape = ours.state_shape()?;
    let sized = ctx.workdir(
        &format!("plan-null-sized-{n}"),
        Kind::NullSized(ours_shape.entries.saturating_sub(1).max(1)),
        n,
        None,
    )?;
    sized.apply(10)?;
    let shapes = [ours_shape, null.state_shape()?, sized.state_shape()?];

    emu.clear_log()?;
    ours.apply(10)?;
    let noop_apply_calls = Counts::of(&emu.calls()?);

    // One unmeasured plan each: page cache, plugin start paths.
    ours.noop_plan()?;
    null.noop_plan()?;
    sized.noop_plan()?;

    let mut f = PlanFigures {
        n,
        ours_ms: Vec::new(),
        null_ms: Vec::new(),
        sized_null_ms: Vec::new(),
        shapes,
        plan_calls: Vec::new(),
        create_calls,
        noop_apply_calls,
        ours_create_s: ours_create.elapsed.as_secs_f64(),
        null_create_s: null_create.elapsed.as_secs_f64(),
    };
    for rep in 0..reps {
        eprintln!("xtask bench: N={n}: plan repetition {}/{reps}", rep + 1);
        for turn in 0..3 {
            match (rep + turn) % 3 {
                0 => {
                    emu.clear_log()?;
                    let run = ours.noop_plan()?;
                    f.plan_calls.push(Counts::of(&emu.calls()?));
                    f.ours_ms.push(run.elapsed.as_secs_f64() * 1e3);
                }
                1 => f
                    .null_ms
                    .push(null.noop_plan()?.elapsed.as_secs_f64() * 1e3),
                _ => f
                    .sized_null_ms
                    .push(sized.noop_plan()?.elapsed.as_secs_f64() * 1e3),
            }
        }
    }
    Ok(f)
}

impl PlanFigures {
    /// Whether every plan made exactly one API call, the list call, and no OAuth call.
    pub fn one_list_call_per_plan(&self) -> bool {
        !self.plan_calls.is_empty()
            && self
                .plan_calls
                .iter()
                .all(|c| c.api == 1 && c.list == 1 && c.oauth == 0 && c.failed == 0)
    }

    /// Whether the create apply made exactly N POSTs and nothing else.
    pub fn one_post_per_create(&self) -> bool {
        let c = &self.create_calls;
        c.api == self.n && c.post == self.n && c.oauth == 0 && c.failed == 0
    }

    /// The distinct call descriptions of the plans, e.g. `1 (1 list)`.
    pub fn plan_calls_described(&self) -> String {
        let mut seen: Vec<String> = Vec::new();
        for c in &self.plan_calls {
            let d = c.describe();
            if !seen.contains(&d) {
                seen.push(d);
            }
        }
        if seen.is_empty() {
            "-".to_owned()
        } else {
            seen.join(" / ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn figures(plan_calls: Vec<Counts>, create_calls: Counts) -> PlanFigures {
        PlanFigures {
            n: 3,
            ours_ms: vec![],
            null_ms: vec![],
            sized_null_ms: vec![],
            shapes: Default::default(),
            plan_calls,
            create_calls,
            noop_apply_calls: Counts::default(),
            ours_create_s: 0.0,
            null_create_s: 0.0,
        }
    }

    #[test]
    fn verdicts_on_counts() {
        let list = Counts {
            api: 1,
            list: 1,
            ..Counts::default()
        };
        let posts = Counts {
            api: 3,
            post: 3,
            ..Counts::default()
        };
        let f = figures(vec![list, list], posts);
        assert!(f.one_list_call_per_plan() && f.one_post_per_create());
        assert_eq!(f.plan_calls_described(), "1 (1 list)");

        let two = Counts {
            api: 2,
            list: 1,
            get_one: 1,
            ..Counts::default()
        };
        let read_back = Counts {
            api: 6,
            post: 3,
            get_one: 3,
            ..Counts::default()
        };
        let f = figures(vec![list, two], read_back);
        assert!(!f.one_list_call_per_plan() && !f.one_post_per_create());
        assert_eq!(
            f.plan_calls_described(),
            "1 (1 list) / 2 (1 list, 1 GET one)"
        );
        assert!(!figures(vec![], posts).one_list_call_per_plan());
    }
}
