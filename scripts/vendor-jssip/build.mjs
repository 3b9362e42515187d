// Bundles the pinned JsSIP into one browser file (JsSIP's own build options: IIFE, global JsSIP, es2015).
// Run by scripts/vendor-jssip.sh inside a fresh `npm ci` of this folder; argv[2] = the output file.
import esbuild from 'esbuild';
import fs from 'node:fs';

const pkg = JSON.parse(fs.readFileSync('node_modules/jssip/package.json', 'utf8'));
await esbuild.build({
	entryPoints: ['node_modules/jssip/lib/JsSIP.js'],
	outfile: process.argv[2],
	bundle: true,
	minify: true,
	sourcemap: false,
	format: 'iife',
	globalName: 'JsSIP',
	platform: 'browser',
	target: ['es2015'],
	supported: { 'template-literal': false },
	banner: { js: `/* JsSIP ${pkg.version} (${pkg.homepage}), ${pkg.license}; bundled with debug, events, ms, sdp-transform: see jssip.LICENSE.txt */` },
	logLevel: 'warning',
});
