//! Traffic lights and heat-map colours: how a score reads against its target.

use crate::results::DatasetResult;

/// Below the target by less than this is amber, not red: close enough that
/// one round of fixes gets there.
pub const AMBER_BAND: f64 = 0.05;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Light {
    Green,
    Amber,
    Red,
    /// No target, or nothing measured.
    None,
}

impl Light {
    pub fn of(actual: Option<f64>, target: Option<f64>) -> Light {
        match (actual, target) {
            (Some(a), Some(t)) if a + 1e-12 >= t => Light::Green,
            (Some(a), Some(t)) if t - a < AMBER_BAND - 1e-9 => Light::Amber,
            (Some(_), Some(_)) => Light::Red,
            _ => Light::None,
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Amber => "amber",
            Light::Red => "red",
            Light::None => "none",
        }
    }
}

/// The target a score of `dataset` is judged by: its own, else (for a
/// dimension) the overall target.
pub fn target_for(dataset: &DatasetResult, score: &str) -> Option<f64> {
    let find = |name: &str| {
        dataset
            .targets
            .iter()
            .filter(|t| t.score == name)
            .map(|t| t.target)
            .fold(None, |acc: Option<f64>, t| {
                Some(acc.map_or(t, |a| a.max(t)))
            })
    };
    find(score).or_else(|| {
        matches!(score, "dung" | "du" | "sach" | "song")
            .then(|| find("overall"))
            .flatten()
    })
}

/// Heat-map background: red at 80% or less, through yellow, green at 100%.
pub fn heat_color(score: Option<f64>) -> String {
    match score {
        None => "#f1f1f1".into(),
        Some(s) => {
            let t = ((s - 0.8) / 0.2).clamp(0.0, 1.0);
            format!("hsl({:.0}, 70%, 82%)", t * 120.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::TargetResult;

    #[test]
    fn lights_against_target() {
        assert_eq!(Light::of(Some(0.95), Some(0.95)), Light::Green);
        assert_eq!(Light::of(Some(0.91), Some(0.95)), Light::Amber);
        assert_eq!(Light::of(Some(0.90), Some(0.95)), Light::Red);
        assert_eq!(Light::of(Some(0.5), None), Light::None);
        assert_eq!(Light::of(None, Some(0.9)), Light::None);
    }

    #[test]
    fn dimensions_fall_back_to_the_overall_target() {
        let mut d: DatasetResult = serde_json::from_value(serde_json::json!({
            "name": "x", "pack_dataset": "x", "sector": "s", "title": null, "pack": "p",
            "source": "s", "rows": 1, "bytes": 1, "encoding": null, "delimiter": null,
            "status": "pass", "scores": {"dung": null, "du": null, "sach": null, "song": null,
            "overall": null, "completeness": null, "consistency": null, "record_pass_rate": null},
            "rules": [], "errors": [], "violation_count": 0, "violations_file": null
        }))
        .unwrap();
        assert_eq!(target_for(&d, "dung"), None);
        let t = |score: &str, target| TargetResult {
            score: score.into(),
            target,
            actual: None,
            met: true,
        };
        d.targets = vec![t("overall", 0.9), t("du", 0.99), t("overall", 0.95)];
        assert_eq!(target_for(&d, "dung"), Some(0.95));
        assert_eq!(target_for(&d, "du"), Some(0.99));
        assert_eq!(target_for(&d, "record_pass_rate"), None);
    }

    #[test]
    fn heat_runs_red_to_green() {
        assert_eq!(heat_color(Some(0.5)), "hsl(0, 70%, 82%)");
        assert_eq!(heat_color(Some(1.0)), "hsl(120, 70%, 82%)");
        assert_eq!(heat_color(Some(0.9)), "hsl(60, 70%, 82%)");
    }
}
