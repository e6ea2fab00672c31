export default { navigationBarTitleText: 'mp-session' }
