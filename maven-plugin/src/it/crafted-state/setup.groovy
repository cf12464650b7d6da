// A state file as a damaged or crafted previous build could leave it.
def dir = new File(basedir, 'target/nnc-maven-plugin')
dir.mkdirs()
new File(dir, 'state.properties').text = 'configuration=old\n' +
    'digest.gone.nn=00\n' +
    'outputs.gone.nn=main\\:com/example/Keep.java,main\\:../../pom.xml\n'
return true
