package org.d4c.manifests.lock;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CodeVersionTest {
  @TempDir Path tmp;

  @Test
  void detectsCommitDirtinessAndRemote() throws Exception {
    Path repo = tmp.resolve("repo");
    PersonIdent who = new PersonIdent("Test", "test@example.org");
    try (Git git = Git.init().setDirectory(repo.toFile()).setInitialBranch("main").call()) {
      Files.writeString(repo.resolve(".gitignore"), "target/\n");
      Files.createDirectories(repo.resolve("pipelines/recipes"));
      Files.writeString(repo.resolve("pipelines/recipes/r.yaml"), "dataset: x\n");
      git.add().addFilepattern(".").call();
      RevCommit c = git.commit().setMessage("first").setAuthor(who).setCommitter(who).setSign(false).call();
      StoredConfig cfg = git.getRepository().getConfig();
      cfg.setString("remote", "origin", "url", "https://user:ghp_secret@github.com/d4c/d4c.git");
      cfg.save();

      Path inside = repo.resolve("pipelines/recipes/r.yaml");
      assertThat(CodeVersion.detect(inside), equalTo(new CodeVersion(c.name(), false, "https://github.com/d4c/d4c.git")));
      assertThat(CodeVersion.repoRoot(inside).orElseThrow(), equalTo(repo.toAbsolutePath().normalize()));

      // Ignored files do not make it dirty.
      Files.createDirectories(repo.resolve("target"));
      Files.writeString(repo.resolve("target/out.parquet"), "x");
      assertThat(CodeVersion.detect(repo).dirty(), equalTo(false));

      // An untracked, not ignored file (in a new folder) does.
      Files.createDirectories(repo.resolve("environments"));
      Files.writeString(repo.resolve("environments/new.sh"), "echo");
      assertThat(CodeVersion.detect(repo).dirty(), equalTo(true));
      Files.delete(repo.resolve("environments/new.sh"));
      assertThat(CodeVersion.detect(repo).dirty(), equalTo(false));

      // So does a change to a tracked file.
      Files.writeString(inside, "dataset: y\n");
      assertThat(CodeVersion.detect(repo).dirty(), equalTo(true));
    }
  }

  @Test
  void outsideARepositoryIsUnknownAndDirty() throws Exception {
    Path plain = Files.createDirectories(tmp.resolve("plain"));
    CodeVersion v = CodeVersion.detect(plain);
    assertThat(v.commit(), equalTo("unknown"));
    assertThat(v.dirty(), equalTo(true));
    assertThat(v.repository(), nullValue());
  }

  @Test
  void stripsCredentialsFromRemotes() {
    assertThat(CodeVersion.withoutCredentials("https://tok@github.com/a/b.git"), equalTo("https://github.com/a/b.git"));
    assertThat(CodeVersion.withoutCredentials("git@github.com:a/b.git"), equalTo("git@github.com:a/b.git"));
    assertThat(CodeVersion.withoutCredentials("ssh://git@host/a/b.git"), equalTo("ssh://host/a/b.git"));
    // A clone of a local folder must not put a path of this machine into manifests.
    assertThat(CodeVersion.withoutCredentials("/work/main"), nullValue());
    assertThat(CodeVersion.withoutCredentials("file:///work/main"), nullValue());
    assertThat(CodeVersion.withoutCredentials("../main"), nullValue());
  }
}
