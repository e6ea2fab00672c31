module.exports = {
  projectName: 'mp-session-taro-example',
  date: '2026-11-25',
  designWidth: 750,
  deviceRatio: { 640: 2.34 / 2, 750: 1, 828: 1.81 / 2 },
  sourceRoot: 'src',
  outputRoot: 'dist',
  // The one line mp-session needs: the core goes into the output (weapp, tt), or the plain
  // entry is used where there is no WebAssembly (qq, swan, alipay, kwai).
  plugins: ['mp-session/taro'],
  framework: 'react',
  compiler: 'webpack5',
  mini: {},
}
