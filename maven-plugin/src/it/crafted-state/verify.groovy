def keep = new File(basedir, 'src/main/java/com/example/Keep.java')
assert keep.isFile() && keep.text.contains('Written by hand') : 'Keep.java was deleted'
assert new File(basedir, 'pom.xml').isFile()
def log = new File(basedir, 'build.log').text
assert log.contains("nnc: refusing to delete ${keep.canonicalPath}: the build state lists it as generated") : log
assert !log.contains('removed 1 stale')
return true
