// Rewrites the class files of a jar that are older than Java 6 (version < 50) as version 52 with
// stack maps, in place: `java scripts/UpgradeOldClasses.java JAR` (JDK 24+, java.lang.classfile).
// Why: the JVM cannot keep such classes in an AOT cache or CDS archive (JEP 483: "old classes"
// are skipped), so every start loads, verifies (the old inference verifier) and links them from
// the jar. picocli is compiled for Java 5: its ~170 classes were most of `procsys --version`'s
// start-up (docs/benchmarks/history.md "CLI start-up"). The code is not changed, only re-emitted with stack
// maps; jsr/ret (not allowed from version 51) makes the stack-map generator fail loudly.
// Classes already at 50 or newer are left byte for byte, so running it twice changes nothing.
import java.io.IOException;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collections;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

class UpgradeOldClasses {
    public static void main(String[] args) throws IOException {
        Path jar = Path.of(args[0]);
        Path out = jar.resolveSibling(jar.getFileName() + ".tmp");
        int upgraded = 0;
        try (var loader = new URLClassLoader(new URL[]{jar.toUri().toURL()}, null);
             ZipFile in = new ZipFile(jar.toFile());
             ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            // stack maps need the class hierarchy: the JDK's, then the jar's own classes
            var classFile = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS,
                    ClassFile.ClassHierarchyResolverOption.of(ClassHierarchyResolver.defaultResolver()
                            .orElse(ClassHierarchyResolver.ofResourceParsing(loader))));
            for (ZipEntry entry : Collections.list(in.entries())) {
                byte[] bytes = in.getInputStream(entry).readAllBytes();
                if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
                    ClassModel model = classFile.parse(bytes);
                    if (model.majorVersion() < ClassFile.JAVA_6_VERSION) {
                        bytes = classFile.transformClass(model, ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)
                                .andThen(ClassTransform.endHandler(b -> b.withVersion(ClassFile.JAVA_8_VERSION, 0))));
                        upgraded++;
                    }
                }
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                zip.putNextEntry(copy);
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        if (upgraded == 0) {
            Files.delete(out);
        } else {
            Files.move(out, jar, StandardCopyOption.REPLACE_EXISTING);
        }
        System.err.println("upgraded " + upgraded + " class file(s) of " + jar.getFileName() + " to version 52");
    }
}
