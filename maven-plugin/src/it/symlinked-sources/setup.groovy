// Links are made here: copying the project into target/it would not keep them.
import java.nio.file.Files
def base = basedir.toPath()
Files.createDirectories(base.resolve('src/main'))
Files.createSymbolicLink(base.resolve('src/main/nn'), base.resolve('models'))
Files.createSymbolicLink(base.resolve('models/shared'), base.resolve('shared'))
Files.createSymbolicLink(base.resolve('models/loop'), base.resolve('models'))
return true
