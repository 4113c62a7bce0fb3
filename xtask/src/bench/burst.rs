//! Part (d): an apply of N configurations at `-parallelism=P` against an emulator with
//! DocuSign's default demo limits (200 calls per 30 s, 3,000 per hour), counting the API calls
//! that failed (rate-limited or otherwise). The target is zero.

use super::Context;
use super::emulator::{Counts, Emulator};
use super::terraform::{Kind, Terraform};

/// What happened.
pub struct BurstFigures {
    pub n: usize,
    /// The Terraform version that ran it.
    pub terraform: String,
    pub parallelism: usize,
    /// `Err` with Terraform's output when the apply failed.
    pub apply: Result<f64, String>,
    pub calls: Counts,
    /// The calls of a refreshing no-op plan afterwards (when the apply succeeded).
    pub plan_after: Option<Counts>,
}

pub fn measure(
    ctx: &Context,
    tf: &Terraform,
    n: usize,
    parallelism: usize,
) -> Result<BurstFigures, String> {
    let emu = Emulator::start(&ctx.emulator, &[])?;
    let wd = ctx.workdir(
        &format!("burst-{}-{n}", tf.version),
        tf,
        Kind::Docusign,
        n,
        Some(&emu),
    )?;
    eprintln!(
        "xtask bench: Terraform {}: burst: applying {n} configurations at -parallelism={parallelism} under the \
         default limits (takes a minute or more: the client paces itself)",
        tf.version
    );
    emu.clear_log()?;
    let apply = wd.apply(parallelism).map(|run| run.elapsed.as_secs_f64());
    let calls = Counts::of(&emu.calls()?);
    let plan_after = if apply.is_ok() {
        emu.clear_log()?;
        wd.noop_plan()?;
        Some(Counts::of(&emu.calls()?))
    } else {
        None
    };
    Ok(BurstFigures {
        n,
        terraform: tf.version.clone(),
        parallelism,
        apply,
        calls,
        plan_after,
    })
}

impl BurstFigures {
    /// The apply succeeded, created N with N calls, and no call failed.
    pub fn met(&self) -> bool {
        self.apply.is_ok() && self.calls.failed == 0 && self.calls.post == self.n
    }
}
