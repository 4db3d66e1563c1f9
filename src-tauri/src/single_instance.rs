//! One app instance per data folder: the first start listens on a Unix socket in the data folder;
//! a second start finds it, asks the first to bring its window forward, and exits. (Two data
//! folders may each have their app open.) On other platforms every start runs.

use std::path::Path;

pub enum Claim {
    First(Guard),
    AlreadyRunning,
}

pub struct Guard {
    #[cfg(unix)]
    listener: std::os::unix::net::UnixListener,
}

#[cfg(unix)]
pub fn claim(dir: &Path) -> std::io::Result<Claim> {
    use std::io::Write;
    use std::os::unix::net::{UnixListener, UnixStream};
    std::fs::create_dir_all(dir)?;
    let path = dir.join("desktop.sock");
    if let Ok(mut other) = UnixStream::connect(&path) {
        let _ = other.write_all(b"focus\n");
        return Ok(Claim::AlreadyRunning);
    }
    // Nobody answers: any socket file left is from a run that ended without cleaning up.
    let _ = std::fs::remove_file(&path);
    Ok(Claim::First(Guard { listener: UnixListener::bind(&path)? }))
}

#[cfg(not(unix))]
pub fn claim(_dir: &Path) -> std::io::Result<Claim> {
    Ok(Claim::First(Guard {}))
}

impl Guard {
    /// Answers later starts by focusing the main window, for as long as the app runs.
    pub fn listen(self, app: tauri::AppHandle) {
        #[cfg(unix)]
        std::thread::spawn(move || {
            for stream in self.listener.incoming().flatten() {
                drop(stream);
                let handle = app.clone();
                let _ = app.run_on_main_thread(move || crate::focus_main(&handle));
            }
        });
        #[cfg(not(unix))]
        let _ = app;
    }
}
