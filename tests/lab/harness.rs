//! A BGP lab in Linux network namespaces: our router (bgpd with the config under test) and two
//! upstream speakers (bgpd, AS 64501 and AS 64502) that accept everything. What each upstream
//! received is what the config really announces to that AS.
//!
//! Addresses (documentation ranges, on veth pairs between our own namespaces only):
//! our router 192.0.2.1 / 2001:db8:ffff:1::1 towards upstream 1 (192.0.2.2 / 2001:db8:ffff:1::2,
//! AS 64501), and 192.0.2.5 / 2001:db8:ffff:2::1 towards upstream 2 (192.0.2.6 /
//! 2001:db8:ffff:2::2, AS 64502). Our AS is 64500.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The upstreams: (AS, address seen from us v4, v6, our address v4, v6).
pub(crate) const UPSTREAMS: [(u32, &str, &str, &str, &str); 2] = [
    (64501, "192.0.2.2", "2001:db8:ffff:1::2", "192.0.2.1", "2001:db8:ffff:1::1"),
    (64502, "192.0.2.6", "2001:db8:ffff:2::2", "192.0.2.5", "2001:db8:ffff:2::1"),
];

/// Why the lab cannot run here, if it cannot.
pub(crate) fn unavailable() -> Option<String> {
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    if uid.as_deref() != Some("0") {
        return Some("not root (network namespaces need root)".into());
    }
    for tool in ["/usr/sbin/bgpd", "/usr/sbin/bgpctl"] {
        if !Path::new(tool).exists() {
            return Some(format!("{tool} not installed (apt-get install openbgpd)"));
        }
    }
    if Command::new("ip").arg("-V").output().is_err()
        || Command::new("unshare").arg("--version").output().is_err()
    {
        return Some("ip (iproute2) or unshare (util-linux) missing".into());
    }
    // Root is not enough: a container may run as root without CAP_SYS_ADMIN. The lab makes
    // network namespaces (`ip netns add`) and mount namespaces (each bgpd's private /run).
    match Command::new("unshare").args(["--net", "--mount", "true"]).output() {
        Ok(o) if o.status.success() => None,
        Ok(o) => Some(format!(
            "no network-namespace rights (`unshare --net --mount true`: {})",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Some(format!("no network-namespace rights (`unshare --net --mount true`: {e})")),
    }
}

/// `bgpd -n` on a config: `Ok` or the lines it names in its errors.
pub(crate) fn check(conf: &str) -> Result<(), Vec<usize>> {
    let dir = tempdir("check");
    let path = dir.join("bgpd.conf");
    write_private(&path, conf);
    let out = Command::new("bgpd").arg("-n").arg("-f").arg(&path).output().expect("bgpd runs");
    let _ = std::fs::remove_dir_all(&dir);
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let prefix = format!("{}:", path.display());
    let mut lines: Vec<usize> =
        err.lines().filter_map(|l| l.strip_prefix(&prefix)?.split(':').next()?.parse().ok()).collect();
    lines.sort_unstable();
    lines.dedup();
    Err(lines)
}

fn tempdir(tag: &str) -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("dcplan-lab-{}-{tag}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write_private(path: &Path, text: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).expect("write config");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
}

fn run(args: &[&str]) -> Result<(), String> {
    let out = Command::new(args[0]).args(&args[1..]).output().map_err(|e| format!("{}: {e}", args[0]))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{}: {}", args.join(" "), String::from_utf8_lossy(&out.stderr)))
    }
}

/// One lab: three namespaces, the daemons, a temporary directory; all removed on drop, also
/// when a test fails.
pub(crate) struct Lab {
    id: String,
    dir: PathBuf,
    netns: Vec<String>,
    daemons: Vec<Child>,
}

impl Drop for Lab {
    fn drop(&mut self) {
        for d in &mut self.daemons {
            let _ = d.kill();
            let _ = d.wait();
        }
        for ns in &self.netns {
            let _ = Command::new("ip").args(["netns", "del", ns]).output();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Lab {
    fn ns(&self, role: &str) -> String {
        format!("{}{role}", self.id)
    }

    /// Namespaces, links and the two upstream speakers.
    pub(crate) fn start() -> Result<Lab, String> {
        static N: AtomicU32 = AtomicU32::new(0);
        let id = format!("dl{:x}{}", std::process::id() % 0xfffff, N.fetch_add(1, Ordering::Relaxed));
        let mut lab = Lab { dir: tempdir(&id), id, netns: Vec::new(), daemons: Vec::new() };
        for role in ["own", "u1", "u2"] {
            let ns = lab.ns(role);
            run(&["ip", "netns", "add", &ns])?;
            lab.netns.push(ns.clone());
            run(&["ip", "-n", &ns, "link", "set", "lo", "up"])?;
        }
        for (k, (asn, up4, up6, own4, own6)) in UPSTREAMS.iter().enumerate() {
            let (own, up) = (lab.ns("own"), lab.ns(&format!("u{}", k + 1)));
            let (a, b) = (format!("{}o{k}", lab.id), format!("{}u{k}", lab.id));
            run(&["ip", "link", "add", &a, "netns", &own, "type", "veth", "peer", "name", &b, "netns", &up])?;
            for (ns, dev, v4, v6) in [(&own, &a, own4, own6), (&up, &b, up4, up6)] {
                run(&["ip", "-n", ns, "addr", "add", &format!("{v4}/30"), "dev", dev])?;
                run(&["ip", "-n", ns, "addr", "add", &format!("{v6}/64"), "dev", dev, "nodad"])?;
                run(&["ip", "-n", ns, "link", "set", dev, "up"])?;
            }
            let conf = format!(
                "AS {asn}\nrouter-id {up4}\nsocket \"{sock}\"\nfib-update no\n\
                 neighbor {own4} {{\n remote-as 64500\n passive\n announce IPv4 unicast\n announce IPv6 unicast\n}}\n\
                 neighbor {own6} {{\n remote-as 64500\n passive\n announce IPv4 unicast\n announce IPv6 unicast\n}}\n\
                 allow from any\n",
                sock = lab.sock(&format!("u{}", k + 1)).display()
            );
            lab.daemon(&format!("u{}", k + 1), &conf)?;
        }
        Ok(lab)
    }

    fn sock(&self, role: &str) -> PathBuf {
        self.dir.join(format!("{role}.sock"))
    }

    /// Starts bgpd in its own mount namespace (a private /run, where its children chroot)
    /// inside the role's network namespace.
    fn daemon(&mut self, role: &str, conf: &str) -> Result<(), String> {
        let path = self.dir.join(format!("{role}.conf"));
        write_private(&path, conf);
        let run_dir = self.dir.join(format!("run-{role}"));
        std::fs::create_dir_all(&run_dir).map_err(|e| e.to_string())?;
        let script = format!(
            "mount -n --bind {} /run && mkdir -p /run/openbgpd && exec bgpd -d -f {}",
            run_dir.display(),
            path.display()
        );
        let log = std::fs::File::create(self.dir.join(format!("{role}.log"))).map_err(|e| e.to_string())?;
        let child = Command::new("ip")
            .args([
                "netns",
                "exec",
                &self.ns(role),
                "unshare",
                "--mount",
                "--propagation",
                "private",
                "sh",
                "-c",
            ])
            .arg(script)
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("bgpd: {e}"))?;
        self.daemons.push(child);
        Ok(())
    }

    fn ctl(&self, role: &str, args: &[&str]) -> Result<Value, String> {
        let out = Command::new("bgpctl")
            .arg("-s")
            .arg(self.sock(role))
            .arg("-j")
            .args(args)
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        serde_json::from_slice(&out.stdout).map_err(|e| format!("bgpctl json: {e}"))
    }

    /// Runs our router with `conf` (a socket and `fib-update no` are added) until every
    /// session to an upstream that can come up has, and the upstreams have all our updates;
    /// then what each upstream AS received.
    pub(crate) fn announce(&mut self, conf: &str) -> Result<BTreeMap<u32, Vec<String>>, String> {
        // The upstreams are passive: they must listen before our router first connects.
        let ready = Instant::now() + Duration::from_secs(5);
        while (1..=UPSTREAMS.len()).any(|k| self.ctl(&format!("u{k}"), &["show", "neighbor"]).is_err()) {
            if Instant::now() > ready {
                return Err("the upstream speakers did not start".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let text = format!("{conf}\nsocket \"{}\"\nfib-update no\n", self.sock("own").display());
        self.daemon("own", &text)?;
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut last: Option<BTreeMap<u32, Vec<String>>> = None;
        loop {
            std::thread::sleep(Duration::from_millis(150));
            // Converged first, then read: a RIB read before the check could predate updates
            // that the check then sees as delivered. Two equal reads in a row settle it.
            if self.converged() == Ok(true) {
                let now = self.received()?;
                if last.as_ref() == Some(&now) {
                    return Ok(now);
                }
                last = Some(now);
            } else {
                last = None;
            }
            if Instant::now() > deadline {
                let log = std::fs::read_to_string(self.dir.join("own.log")).unwrap_or_default();
                return Err(format!("no convergence in 20 s; own bgpd log:\n{log}"));
            }
        }
    }

    /// Our sessions to upstreams that are not `down` are up, nothing is pending, and each
    /// upstream has End-of-RIB from each of them.
    fn converged(&self) -> Result<bool, String> {
        let own = self.ctl("own", &["show", "neighbor"])?;
        let lab: Vec<&str> = UPSTREAMS.iter().flat_map(|u| [u.1, u.2]).collect();
        for n in own["neighbors"].as_array().into_iter().flatten() {
            let addr = n["remote_addr"].as_str().unwrap_or("");
            if !lab.contains(&addr) || n["config"]["down"].as_bool() == Some(true) {
                continue;
            }
            let pending = &n["stats"]["update"]["pending"];
            if n["state"] != "Established" || pending["updates"] != 0 || pending["withdraws"] != 0 {
                return Ok(false);
            }
        }
        for k in 1..=UPSTREAMS.len() {
            let up = self.ctl(&format!("u{k}"), &["show", "neighbor"])?;
            for n in up["neighbors"].as_array().into_iter().flatten() {
                if n["state"] == "Established"
                    && n["stats"]["update"]["received"]["eor"].as_u64().unwrap_or(0) == 0
                {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    fn received(&self) -> Result<BTreeMap<u32, Vec<String>>, String> {
        let mut out = BTreeMap::new();
        for (k, u) in UPSTREAMS.iter().enumerate() {
            let rib = self.ctl(&format!("u{}", k + 1), &["show", "rib"])?;
            let mut prefixes: Vec<String> = rib["rib"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["prefix"].as_str().map(str::to_owned))
                .collect();
            prefixes.sort();
            prefixes.dedup();
            out.insert(u.0, prefixes);
        }
        Ok(out)
    }
}
