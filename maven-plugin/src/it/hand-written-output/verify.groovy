def mine = new File(basedir, 'src/main/java/com/example/Neuron.java')
assert mine.text.contains('Written by hand') : 'Neuron.java was overwritten'
def log = new File(basedir, 'build.log').text
assert log.contains("nnc: refusing to overwrite ${mine.canonicalPath}: it does not begin with") : log
return true
