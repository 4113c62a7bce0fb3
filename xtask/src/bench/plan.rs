//! Parts (b) and (c): a refreshing `terraform plan` over existing state with N
//! `docusign_connect_configuration`s vs N `null_resource`s (one trigger, and the control with
//! as much state per instance as ours): its wall time, the CPU time of the provider processes
//! Terraform starts (through [`Wrapped`]) and of Terraform itself; and the API calls of each plan
//! and apply from the emulator's request log.
//!
//! The emulator for this part runs with raised limits so that creating the N configurations
//! (a prior `terraform apply`) is not paced; a plan costs one call whatever the limits.

use super::Context;
use super::cpu::Wrapped;
use super::emulator::{Counts, Emulator};
use super::terraform::{Kind, StateShape, Terraform, WorkDir};
use crate::stats::median;

/// Limits far above what one size needs: setup is not the subject of this part.
const RAISED_LIMITS: &[&str] = &["--burst-limit", "1000000", "--hourly-limit", "100000000"];

/// One measured refreshing plan.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PlanSample {
    /// Wall time of the `terraform plan` process, ms.
    pub wall_ms: f64,
    /// User + system time of the provider processes Terraform started, ms.
    pub provider_cpu_ms: f64,
    /// How many provider processes it started.
    pub provider_processes: usize,
    /// User + system time of Terraform itself (its total less its providers'), ms.
    pub terraform_cpu_ms: f64,
}

/// The figures of one size on one Terraform.
pub struct PlanFigures {
    pub n: usize,
    /// The Terraform version that ran them.
    pub terraform: String,
    /// Each refreshing no-op plan of ours, of N one-trigger `null_resource`s, and of the
    /// control: N `null_resource`s carrying as many state entries per instance as a
    /// configuration ([`Kind::NullSized`]).
    pub ours: Vec<PlanSample>,
    pub null: Vec<PlanSample>,
    pub sized_null: Vec<PlanSample>,
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

/// Runs one refreshing no-op plan in `wd`, with the provider CPU from `wrapped`'s log.
fn sample(wd: &WorkDir, wrapped: &Wrapped) -> Result<PlanSample, String> {
    wrapped.clear()?;
    let run = wd.noop_plan()?;
    let used = wrapped.used()?;
    let ms = |d: std::time::Duration| d.as_secs_f64() * 1e3;
    Ok(PlanSample {
        wall_ms: ms(run.elapsed),
        provider_cpu_ms: ms(used.cpu),
        provider_processes: used.processes,
        terraform_cpu_ms: ms(run.cpu.saturating_sub(used.cpu)),
    })
}

/// Creates N of each resource, then measures `reps` refreshing plans of each, rotating which
/// directory goes first.
pub fn measure(
    ctx: &Context,
    tf: &Terraform,
    n: usize,
    reps: usize,
) -> Result<PlanFigures, String> {
    let emu = Emulator::start(&ctx.emulator, RAISED_LIMITS)?;
    let v = &tf.version;
    let ours = ctx.workdir(
        &format!("plan-docusign-{v}-{n}"),
        tf,
        Kind::Docusign,
        n,
        Some(&emu),
    )?;
    let null = ctx.workdir(&format!("plan-null-{v}-{n}"), tf, Kind::Null, n, None)?;

    eprintln!(
        "xtask bench: Terraform {v}, N={n}: creating {n} configurations and {n} null_resources"
    );
    emu.clear_log()?;
    let ours_create = ours.apply(10)?;
    let create_calls = Counts::of(&emu.calls()?);
    let null_create = null.apply(10)?;

    // The control matches our state's entries: `id` plus one trigger per remaining entry.
    let ours_shape = ours.state_shape()?;
    let sized = ctx.workdir(
        &format!("plan-null-sized-{v}-{n}"),
        tf,
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
        terraform: tf.version.clone(),
        ours: Vec::new(),
        null: Vec::new(),
        sized_null: Vec::new(),
        shapes,
        plan_calls: Vec::new(),
        create_calls,
        noop_apply_calls,
        ours_create_s: ours_create.elapsed.as_secs_f64(),
        null_create_s: null_create.elapsed.as_secs_f64(),
    };
    for rep in 0..reps {
        eprintln!(
            "xtask bench: Terraform {v}, N={n}: plan repetition {}/{reps}",
            rep + 1
        );
        for turn in 0..3 {
            match (rep + turn) % 3 {
                0 => {
                    emu.clear_log()?;
                    f.ours.push(sample(&ours, &ctx.docusign_wrapper)?);
                    f.plan_calls.push(Counts::of(&emu.calls()?));
                }
                1 => f.null.push(sample(&null, &ctx.null_wrapper)?),
                _ => f.sized_null.push(sample(&sized, &ctx.null_wrapper)?),
            }
        }
    }
    Ok(f)
}

/// The median of one figure over samples.
pub fn median_of(samples: &[PlanSample], figure: fn(&PlanSample) -> f64) -> Option<f64> {
    median(&samples.iter().map(figure).collect::<Vec<_>>())
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
            terraform: "1.0.3".into(),
            ours: vec![],
            null: vec![],
            sized_null: vec![],
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
