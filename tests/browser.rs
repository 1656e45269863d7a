//! The scorecard rendered in a real headless browser (Debian's `chromium`,
//! which `.ci/run` installs): a screenshot that is not blank, and the DOM
//! with the expected title and section headings.
//!
//! Without a browser the test fails and says how to get one; set
//! `DDSS_SKIP_BROWSER_TEST=1` to skip it knowingly on a machine without one.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("DDSS_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|p| p.is_file())
}

/// What a Chromium run printed.
struct Printed {
    stdout: String,
    stderr: String,
}

/// Runs headless Chromium with the flags that keep it off the network;
/// kills it after two minutes. Output goes to files, not pipes: a DOM dump
/// larger than a pipe's buffer would block the browser while we wait.
fn chromium(browser: &Path, profile: &Path, args: &[String]) -> Printed {
    let stdout_path = profile.join("stdout.txt");
    let stderr_path = profile.join("stderr.txt");
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!(
            "--user-data-dir={}",
            profile.join("profile").display()
        ))
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    while child.try_wait().expect("wait for chromium").is_none() {
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("chromium did not finish within 2 minutes");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    Printed {
        stdout: read(&stdout_path),
        stderr: read(&stderr_path),
    }
}

#[test]
fn scorecard_renders_in_headless_chromium() {
    let Some(browser) = find_chromium() else {
        if std::env::var_os("DDSS_SKIP_BROWSER_TEST").is_some() {
            eprintln!("skipped: no chromium and DDSS_SKIP_BROWSER_TEST is set");
            return;
        }
        panic!(
            "no headless browser: install Debian's chromium (`apt-get install chromium`, as .ci/run does), \
             point DDSS_CHROMIUM at one, or set DDSS_SKIP_BROWSER_TEST=1 to skip this test"
        );
    };
    let out = tempfile::tempdir().unwrap();
    // Two runs, so the scorecard has a trend line and a change.
    for _ in 0..2 {
        let status = Command::new(env!("CARGO_BIN_EXE_ddss"))
            .current_dir(root())
            .args([
                "validate",
                "--as-of",
                "2026-06-30",
                "--no-progress",
                "--out",
            ])
            .arg(out.path())
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert_eq!(
            status.code(),
            Some(1),
            "fixtures miss their targets by design"
        );
    }
    assert!(
        out.path().join("violations.xlsx").is_file(),
        "no violations.xlsx"
    );
    let page = out.path().join("scorecard.html");
    let url = format!("file://{}", page.display());
    let profile = tempfile::tempdir().unwrap();

    let shot = out.path().join("scorecard.png");
    let run = chromium(
        &browser,
        profile.path(),
        &[
            "--window-size=1280,2000".into(),
            format!("--screenshot={}", shot.display()),
            url.clone(),
        ],
    );
    assert!(
        shot.exists(),
        "no screenshot; chromium said: {}",
        run.stderr
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let frame = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((frame.width, frame.height), (1280, 2000));
    let channels = frame.color_type.samples();
    let rgb: Vec<[u8; 3]> = pixels[..frame.buffer_size()]
        .chunks(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    let ink = rgb.iter().filter(|p| p.iter().any(|c| *c < 200)).count();
    assert!(
        ink * 100 > rgb.len(),
        "page looks blank: {ink} dark pixels of {}",
        rgb.len()
    );
    // The green of a met target (#2e8b57) is on the page: CSS was applied.
    let green = rgb
        .iter()
        .filter(|p| {
            p[0].abs_diff(0x2e) < 12 && p[1].abs_diff(0x8b) < 12 && p[2].abs_diff(0x57) < 12
        })
        .count();
    assert!(
        green > 50,
        "no traffic-light green rendered ({green} pixels)"
    );

    let dom = chromium(&browser, profile.path(), &["--dump-dom".into(), url]);
    let dom = dom.stdout;
    assert!(
        dom.contains("<title>Bảng điểm chất lượng dữ liệu — 30/06/2026</title>"),
        "title missing from the DOM: {}",
        &dom[..dom.len().min(500)]
    );
    for heading in [
        "Tổng quan theo bộ dữ liệu",
        "Bản đồ nhiệt: tiêu chí × bộ dữ liệu",
        "Xếp hạng đơn vị (thấp nhất trước)",
        "Quy tắc lỗi nhiều nhất",
        "Chỉ tiêu",
    ] {
        assert!(
            dom.contains(&format!("{heading}</h2>")),
            "heading '{heading}' missing"
        );
    }
    for dataset in [
        "dan_cu",
        "khai_sinh",
        "khai_tu",
        "ket_hon",
        "thua_dat",
        "doi_tuong_btxh",
        "ho_so_tthc",
        "lao_dong",
        "tre_em",
        "nguoi_nop_thue",
        "nguoi_phu_thuoc",
    ] {
        assert!(dom.contains(dataset), "dataset {dataset} missing");
    }
    // The committee indicators, with their Vietnamese names intact (NFC,
    // diacritics) and a league table each.
    for indicator in [
        "Tỷ lệ hồ sơ giải quyết quá hạn",
        "Tỷ lệ số hóa hồ sơ, kết quả giải quyết",
        "Tỷ lệ chi trả trợ cấp không dùng tiền mặt",
        "Tỷ lệ trẻ em dưới 6 tuổi có thẻ bảo hiểm y tế",
        "Xếp hạng đơn vị theo chỉ tiêu (kém nhất trước)",
    ] {
        assert!(
            dom.contains(indicator),
            "indicator text '{indicator}' missing"
        );
    }
    assert!(dom.contains("<polyline"), "no trend line after two runs");
    // Fair league tables: a funnel plot per dataset's communes and per
    // indicator, with its axis labelled, and the units too small to rank
    // left out of the tables with a note saying so.
    let indicators = 7;
    let funnels = dom.matches("<svg class=\"funnel\"").count();
    assert!(funnels >= 11 + indicators, "{funnels} funnel plots");
    assert!(
        dom.contains("Số dòng của đơn vị (thang log)"),
        "funnel axis label missing"
    );
    assert!(
        dom.contains("Biểu đồ phễu — Tổng hợp"),
        "funnel title missing"
    );
    assert!(
        dom.contains("không được xếp hạng"),
        "no note on unranked units"
    );
}
