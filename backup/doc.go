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
//	        files/00001.json      the journal's "file" line of seq 1, kept apart
//	        files/00002.json      (a file the run creates has no copy, only this)
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
// undoes the lines in reverse order. "written", "restored" and "skipped"
// lines refer to a file line by seq; "skipped" says the write was given
// up without touching the file, which changed just before (it is not part
// of the run any more). The last "state" line gives the run's state; a
// run without one is interrupted.
//
// The journal is read as its longest prefix of complete, valid lines: a
// torn tail, left by a crash or a failed write, is ignored, and cut off
// before anything is appended again. Since every "file" line is also kept
// as files/NNNNN.json, written before it, the lines a crash or a damaged
// journal lost are found there: restore adds them back to the journal and
// restores every file (a kept line torn by a crash is the run's last, and
// its file was never touched). A complete line that is not a record but is
// followed by records is damage, not a tear. Every record is checked: path
// and tmp must be clean relative paths outside .migrate, tmp the name
// migrate gives the temp file, backup files/NNNNN of its own seq, and a
// "file" line must agree with its kept copy. A run failing a check is
// listed as damaged, blocks new runs like an interrupted one, and is not
// restored: the error names the run, the file, the line and the field.
//
// # Durability order
//
// Run.WriteFile takes these steps, each finished before the next begins:
//
//  1. read the file and compare it with what the caller read;
//  2. reserve room in the journal for the lines undoing the run will add
//     (fallocate, keeping the size, on Linux), so that a rollback on a
//     disk that filled up meanwhile needs no new space; if even that fails
//     the write stops here;
//  3. write the copy of the original to files/ and fsync it, write the
//     "file" line to files/NNNNN.json and fsync it, fsync files/;
//  4. append the "file" line to the journal and fsync the journal;
//  5. write the new content to the temp file next to the target, with the
//     original's mode, and fsync it; read the target again and, if it
//     changed since step 1 (an editor saved it), remove the temp file,
//     journal "skipped" and stop; otherwise rename the temp file over the
//     target and fsync the target's directory;
//  6. append the "written" line (not synced on its own: nothing relies on
//     it).
//
// Run.CreateFile takes the same steps without the copy, and hard-links
// the temp file to the new name instead of renaming, so an existing file
// is never replaced. Run.DeleteFile checks the file again just before
// removing it. Store.Begin fsyncs the journal with its "begin" line,
// the run directory and .migrate before it returns.
//
// So at any instant every file the run may have touched has a durable
// journal line and a durable copy, and holds either its original content
// or its new content, never a mix. Restoring relies on content, not on the
// "written" lines: a file whose digest is "before" is left as it is, one
// whose digest is "after" gets the copy back (or is removed, if the run
// created it), and anything else is a conflict, changed by someone since.
// Each file is read again just before its rename or removal, and left as
// it is if it changed meanwhile. On Linux the rename is an atomic swap
// (renameat2 RENAME_EXCHANGE) of the temp file and the file, in run and
// restore alike: what was swapped out is checked once more and swapped
// back if someone saved the file between the last read and the swap, so
// no save is lost whatever the timing (a writer that keeps the old file
// open and writes into it later is the one case no tool can see). The copy is written to the temp file and
// renamed over the file; if the temp file cannot be written (a full disk)
// the copy is hard-linked to the temp name instead, which takes no new
// space. A file that still cannot be restored does not stop the others;
// the error lists the files left and the command that restores them.
// Temp files a crash left behind are removed. Restoring is idempotent, so
// a restore that is itself interrupted is simply run again.
//
// # Limits
//
// Only regular files are written; symbolic links are refused, and paths
// must stay inside the root (they are resolved through os.Root). The
// content and mode are restored exactly; the owner, extended attributes
// and hard links of a rewritten file are not kept, since it is a new file
// renamed into place. A file restored through a hard link on a full disk
// shares its inode with its backup copy until the run is pruned. The
// manifest is a summary for people: when it cannot be rewritten (a full
// disk) it is removed rather than left stale. On
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
