// Package backup is the only code in migrate that writes user files. Every
// file a run writes is backed up first, so that the whole run can be put
// back byte for byte, modes included, even after the process was killed
// at any instant.
//
// A Store is opened on the module root. Store.Begin starts a Run;
// Run.WriteFile, Run.CreateFile and Run.DeleteFile change files, and
// Run.MkdirAll and Run.RemoveDir directories (a vendor directory synced
// after a go.mod change needs all five); Run.Commit marks the run
// complete, or Run.Abort restores what it wrote. Store.List,
// Store.Restore and Store.Prune serve the migrate backups and migrate
// restore commands. WriteFileAtomic is the atomic write on its own.
//
// # On-disk layout
//
// Backups live in the .migrate directory of the module root:
//
//	.migrate/
//	    .gitignore                "*": git never sees the backups
//	    lock                      the write lock (flock), and who holds it
//	    20261122-013045.123/      one directory per run, named by its id
//	        journal.jsonl         the run's journal, the source of truth
//	        files/00001           the original bytes of the file with seq 1
//	        files/00002
//	        manifest.json         a summary, rewritten when the run settles
//	    20261122-013102.007/
//	    .trash-<id>/              a run Prune is deleting
//
// A run id is the UTC time the run began, to the millisecond, with a
// suffix -01, -02, ... if that id is taken, so ids sort in time order.
// Directories, journals and copies are private to the user (0700, 0600);
// the mode a file must get back is in the journal.
//
// The journal has one JSON object per line, appended and never rewritten:
//
//	{"op":"begin","id":"20261122-013045.123","time":"2026-11-22T01:30:45.123Z","rules":["ioutil"],"command":"migrate run"}
//	{"op":"file","seq":1,"path":"pkg/a.go","before":"<sha256>","after":"<sha256>","mode":420,"backup":"files/00001","tmp":"pkg/.a.go.migrate-20261122-013045.123-1.tmp"}
//	{"op":"written","seq":1}
//	{"op":"file","seq":2,"path":"pkg/new.go","after":"<sha256>","tmp":"pkg/.new.go.migrate-20261122-013045.123-2.tmp"}
//	{"op":"written","seq":2}
//	{"op":"state","state":"complete"}
//	{"op":"restored","seq":1}
//	{"op":"restored","seq":2}
//	{"op":"state","state":"restored"}
//
// A "file" line announces one write: path is relative to the root and
// slash-separated; before and after are hex SHA-256 digests of the content
// before and after the write, before is absent for a file the run creates
// and after is absent for a file a run deletes; mode is the original's Go
// fs.FileMode (permission, setuid, setgid and sticky bits; 420 is 0644);
// backup is the copy of the original, relative to the run directory; tmp
// is the temp file used to write path. A line with "dir":true is about a
// directory: before and after are "dir" (it exists) or absent, and it has
// no copy or temp file; restoring makes again a directory the run removed,
// with its mode, and removes one the run made if it is empty by then
// (otherwise it holds files the run did not write and is kept). Restoring
// undoes the lines in reverse order. "written" and "restored" lines
// refer to a file line by seq. The last "state" line gives the run's
// state; a run without one is interrupted.
//
// The journal is read as its longest prefix of complete, valid lines: a
// torn last line, left by a crash or a failed write, is ignored, and cut
// off before anything is appended again.
//
// # Durability order
//
// Run.WriteFile takes these steps, each finished before the next begins:
//
//  1. read the file and compare it with what the caller read;
//  2. write the copy of the original to files/, fsync it, fsync files/;
//  3. append the "file" line to the journal and fsync the journal;
//  4. write the new content to the temp file next to the target, with the
//     original's mode, fsync it, rename it over the target, fsync the
//     target's directory;
//  5. append the "written" line (not synced on its own: nothing relies on
//     it).
//
// Run.CreateFile takes the same steps without the copy, and hard-links
// the temp file to the new name instead of renaming, so an existing file
// is never replaced. Store.Begin fsyncs the journal with its "begin" line,
// the run directory and .migrate before it returns.
//
// So at any instant every file the run may have touched has a durable
// journal line and a durable copy, and holds either its original content
// or its new content, never a mix. Restoring relies on content, not on the
// "written" lines: a file whose digest is "before" is left as it is, one
// whose digest is "after" gets the copy back (or is removed, if the run
// created it), and anything else is a conflict, changed by someone since.
// Temp files a crash left behind are removed. Restoring is idempotent, so
// a restore that is itself interrupted is simply run again.
//
// # Limits
//
// Only regular files are written; symbolic links are refused, and paths
// must stay inside the root (they are resolved through os.Root). The
// content and mode are restored exactly; the owner, extended attributes
// and hard links of a rewritten file are not kept, since it is a new file
// renamed into place. On
// Windows directories are not fsynced.
//
// # One writer at a time
//
// Store.Lock takes an exclusive flock(2) on .migrate/lock, which the
// kernel releases when the process ends, even by SIGKILL. The migrate
// commands that write (run, restore, backups prune) hold it from before
// they read what they act on until they exit; a second one is refused at
// once, naming the pid holding the lock. The holder writes its pid,
// command and a token into the lock file; each run records the token of
// the lock it began under in its begin line ("holder"), so a run whose
// journal is not complete is running while a process holding the lock
// with that token lives, and interrupted otherwise. Platforms without
// flock(2) cannot lock, and Store.Lock says so.
package backup
